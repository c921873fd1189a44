"""The `unlearn` command line: `main` parses and dispatches; `execute` runs a scenario here and prints it
(with `table`'s formatting); `listing` lists the registries; `progress` draws its tqdm bars."""
