"""A Slack layout in the style of StreamAlert's community publishers: a summary card, then
the previous publication attached as escaped JSON (needs cgi.escape, gone from Python 3.8)."""
import cgi
import json
import urllib.parse

from streamalert.shared.publisher import AlertPublisher, Register


@Register
class Card(AlertPublisher):
    """Replaces the publication with a one-attachment Slack card."""

    def publish(self, alert, publication):
        query = urllib.parse.quote('{} path:/rules'.format(alert.rule_name))
        return {
            '@slack.text': 'Rule triggered',
            '@slack.attachments': [{
                'fallback': 'Rule triggered: {}'.format(alert.rule_name),
                'color': '#ff5a5f',
                'title': alert.rule_name,
                'title_link': 'https://example.com/search?q={}'.format(query),
                'text': cgi.escape(alert.rule_description or ''),
                'custom': 1,
            }],
            '@slack._previous_publication': publication,
        }


@Register
def attach_previous(alert, publication):
    """Appends the publication the card replaced, as a code block."""
    previous = publication.get('@slack._previous_publication')
    if previous is not None and '@slack.attachments' in publication:
        publication['@slack.attachments'].append({
            'color': '#00d1c1',
            'title': 'Alert Data:',
            'text': cgi.escape('```\n{}\n```'.format(json.dumps(previous, indent=2, sort_keys=True))),
        })
    return publication
