"""Pure values shared by every part of snakewarden."""
