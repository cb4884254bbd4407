"""Publishers: where reports are posted (GitHub comments, check runs, statuses, job summaries)."""
