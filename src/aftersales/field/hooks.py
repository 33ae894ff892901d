"""What the field app adds to the work-order lifecycle and page (filled by the dispatch work)."""
