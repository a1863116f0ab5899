"""Training scripts for the models in ``models/`` (run as ``python3 -m pipeline.train.<name>``)."""
