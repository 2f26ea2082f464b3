"""Example publishers: one function and one class (compat 5.6)."""
from streamalert.shared.publisher import AlertPublisher, Register


@Register
def add_summary(alert, publication):
    """Adds a one-line summary field for chat outputs."""
    publication['@slack.text'] = 'Rule {} triggered on {}'.format(alert.rule_name, alert.log_source)
    return publication


@Register
class OnlyRecord(AlertPublisher):
    """Publishes just the record, for outputs that want raw data."""

    def publish(self, alert, publication):
        return {'record': alert.record}
