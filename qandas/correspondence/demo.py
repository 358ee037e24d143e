"""The liaison demo: see add_demo_correspondence."""
