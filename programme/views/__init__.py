"""The programme manager's pages (stages 1–4 and progress)."""
