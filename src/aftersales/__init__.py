"""AfterSales. The Celery app is `aftersales.config.celery.app`: not imported here, so that web
processes load Celery only when they hand over a job (core/jobs.py, issue 9)."""
