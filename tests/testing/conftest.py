"""The plugin's tests run pytest sessions of their own with pytest's pytester."""

pytest_plugins = ["pytester"]
