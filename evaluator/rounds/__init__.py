"""Rounds: many portals evaluated as one batch, stored, resumable, compared over time.

    targets_file  the targets file (YAML or CSV) → Targets, errors with file:line
    store         rounds, their portals' states and results: SQLite or PostgreSQL, one schema
    job           one portal of a round: claim, attempts in a killable child process, record
    child         the child process: calls pipeline.evaluate_portal, nothing else
    local         the local pool engine (this machine)
    celery_app    the Celery engine: one task per portal, workers call the same job
    progress      the live progress line
    outputs       a round's folder: per-portal files from the store, index.html with history
    history       a portal's grade and pillars over rounds
"""
