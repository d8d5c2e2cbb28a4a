"""The domain: models, operations (use cases that own a transaction) and pure rules."""
