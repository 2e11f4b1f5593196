"""Credit records (公共信用信息): stored versions, publication, visibility by sharing level."""
