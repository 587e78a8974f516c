"""A dashboard table as a CSV or XLSX download, through the shared ``vipcrm.exports``."""

from vipcrm.exports import export_response


def export_filename(board, table, scope) -> str:
    return f"{board.name}-{table.key}-{scope.start:%Y-%m}-{scope.end:%Y-%m}"


def table_export(board, table, scope, file_format):
    """The table's columns and rows exactly as the page shows them (values, not formatting)."""
    return export_response(
        filename=export_filename(board, table, scope),
        file_format=file_format,
        headers=table.header(),
        rows=table.values(),
    )
