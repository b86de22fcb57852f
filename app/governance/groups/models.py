"""Models of this part of governance (none yet)."""
