"""Community layers: the user's own boundary, residents, facilities, stations, obstructions and sites.

A folder of GeoJSON, GeoPackage, Shapefile or CSV files (roles from file names or ``layers.yml``)
is read, validated and reprojected into the study's metric CRS. The schema users follow is in
``layers/README.md``; every problem is an :class:`~geoplan.errors.InputError` naming the file,
the row and the fix.
"""

from geoplan.layers._read import CommunityLayers, ROLES, check_layer_folders, read_layer_file, read_layers

__all__ = ["CommunityLayers", "ROLES", "check_layer_folders", "read_layer_file", "read_layers"]
