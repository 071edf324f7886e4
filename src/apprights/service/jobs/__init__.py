"""Background ingestion jobs: a large scan batch is kept, answered with ``202 Accepted`` and ingested in a worker
process (``runner``); ``GET /api/v1/jobs/{id}`` (``views``) reports its progress. A job is its submission row."""
