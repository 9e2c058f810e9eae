"""Split by sub-domain; import from the submodules."""
