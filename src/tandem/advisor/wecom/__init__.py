"""WeCom (企业微信) delivery: message limits and splitting, the server-API client, and the channel."""
