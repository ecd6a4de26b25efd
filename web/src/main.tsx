import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "@mantine/core/styles.css";
import "@mantine/notifications/styles.css";
import "./app.css";
import { App } from "./App";
import { loadConfig } from "./config";
import { createServices } from "./services";
import { createQueryClient } from "./lib/queryClient";

const services = createServices(loadConfig(), () => document.documentElement.lang || "fr");
const queryClient = createQueryClient();

// Cookie mode (later) resumes the session here; JSON mode has nothing to resume.
void services.session.restore().finally(() => {
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <App services={services} queryClient={queryClient} />
    </StrictMode>,
  );
});
