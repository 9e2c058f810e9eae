"""Back office of the portal: the "À traiter" panel of the admin home."""
