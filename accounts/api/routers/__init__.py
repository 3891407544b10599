"""The API's endpoints by concern; each module has one ``Endpoints`` group."""
