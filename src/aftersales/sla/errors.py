"""The error codes of the service-level context (see core.errors.ERROR_CODES)."""

from aftersales.core.errors import register_error_codes

register_error_codes(
    {
        "official_year_known": (
            "R34: the installed holiday package already has that year's official schedule; change a "
            "single day with a working-calendar exception instead."
        ),
        "import_row_invalid": (
            "A row of the uploaded file is invalid (`field` is `rows[<row>].<column>`); nothing was saved."
        ),
        "import_file_invalid": (
            "The uploaded file cannot be read, lacks a required column or has no data rows; nothing "
            "was saved."
        ),
    }
)
