"""The window: shows the core and calls it. The only package that imports Qt (SPEC section 1)."""
