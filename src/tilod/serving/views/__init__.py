"""What each HTML page shows (routes stay in the route modules; drawing is in serving/rendering/)."""
