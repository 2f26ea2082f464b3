"""Publishers for the delivery end-to-end test: one function, one class."""
from streamalert.shared.publisher import AlertPublisher, Register


@Register
def shout(alert, publication):
    """Sets the Slack headline."""
    publication['@slack.text'] = 'ADMIN LOGIN by {}'.format(alert.record['user'])
    return publication


@Register
class Minimal(AlertPublisher):
    """Publishes the rule name and the record only."""

    def publish(self, alert, publication):
        return {'rule': alert.rule_name, 'record': alert.record}
