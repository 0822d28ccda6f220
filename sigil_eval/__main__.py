from sigil_eval.cli import main

raise SystemExit(main())
