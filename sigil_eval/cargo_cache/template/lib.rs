// Intentionally empty: this crate exists so cargo builds its dependencies.
