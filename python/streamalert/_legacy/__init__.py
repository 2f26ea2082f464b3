"""Home of the StreamAlert 1.x names (``stream_alert.rule_processor``)."""
