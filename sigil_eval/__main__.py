from sigil_eval.cli.main import main

raise SystemExit(main())
