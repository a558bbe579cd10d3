"""What an analysed import job says about each line of its file."""


def kinds(job):
    """{line: "new", "update", "unchanged" or "error"}."""
    return {row.line: row.kind for row in job.rows.all()}


def errors(job):
    """{line: messages} for the lines in error."""
    return {row.line: row.messages for row in job.rows.filter(kind="error")}
