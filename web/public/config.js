// Runtime settings of the gescom web app, read before the app starts. Replace this file
// when deploying the static build; leave a field out to keep the default.
//   commandApiUrl: command-api's public URL (default "/api/command", same origin)
//   readApiUrl:    read-api's public URL    (default "/api/read", same origin)
// A cross-origin URL needs the app's origin in the services' GESCOM_CORS_ORIGINS.
window.__GESCOM_CONFIG__ = {
  // commandApiUrl: "https://api.example.com/command",
  // readApiUrl: "https://api.example.com/read",
};
