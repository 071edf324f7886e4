"""Background ingestion jobs: a large scan batch is kept, answered with ``202 Accepted`` and ingested by a worker
process (``runner``); the ``jobs`` table (``models``) holds their state for every service process, and
``GET /api/v1/jobs/{id}`` (``views``) reports it. A job's id is its submission's."""
