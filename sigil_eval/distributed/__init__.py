"""Many machines: jobs (batches, or samples judged alone) fanned out to Ray actors, one per node (the `ray` extra)."""
