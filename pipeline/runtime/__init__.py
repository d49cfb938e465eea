"""What makes runs fast, not what they compute: the parse cache, the build cache and batching."""
