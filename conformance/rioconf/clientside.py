"""Client cases' harness: run the client command against a scripted server
and keep every run for the transcript."""
from .scripted import Script, ScriptedServer
from .transcript import render


class ClientHarness:
    def __init__(self, template, options, record):
        self.template, self.options = template, options
        self.runs = []
        record.append(self)

    def run(self, script=None):
        server = ScriptedServer(script or Script(), scale=self.options.timeout_scale)
        run = server.run(self.template)
        self.runs.append(run)
        return run

    def render(self):
        parts = []
        for run in self.runs:
            label = "scripted server (>> to the client, << from it); client %s: %s" % (
                " ".join(run.command), run.describe_exit())
            parts.append(render(label, run.chunks))
            if run.garbage:
                parts.append("    scripted server: " + run.garbage)
            if run.output.strip():
                parts.append("    client output:\n" + "\n".join("      " + line for line in
                                                              run.output.strip().splitlines()[-20:]))
        return "\n".join(parts)
