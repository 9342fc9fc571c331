"""scorecard: does this social-business initiative make sense to the customer?"""

__version__ = "0.1.0"
