"""Release: a validated graph written as versioned dumps, described, and switched to atomically."""
