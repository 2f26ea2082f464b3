"""``get_logger`` as StreamAlert's rules and publishers sometimes import it."""
import logging


def get_logger(name, level=None):
    """Return the standard-library logger ``name``; ``level`` is applied when given."""
    logger = logging.getLogger(name)
    if level is not None:
        logger.setLevel(level)
    return logger
