import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The build goes into dist/, which CMake embeds into the weft binary.
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 4000 },
  test: { include: ["src/**/*.test.ts"] },
} as Parameters<typeof defineConfig>[0]);
