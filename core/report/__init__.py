"""The audit report: one self-contained HTML page per run (document), its charts, escaping, provenance and risk section."""
