"""The `unlearn` command line: `main` parses and dispatches; `progress` draws its tqdm bars."""
