"""README.md documents what the code does: the import tables and the test command."""
from pathlib import Path

from loaders.template import schema_markdown

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_documents_every_import_table_and_column_as_the_schema_says():
    assert schema_markdown().strip() in README


def test_readme_test_command_is_what_ci_runs():
    assert "bash .ci/run" in README
    assert (ROOT / ".ci" / "run").read_text().rstrip().endswith('python -m pytest "$@"')
