"""A fake Evolink (generation API + file service) for tests and for trying the bot by hand.

    async with FakeEvolink(api_key="k") as fake:
        # point EVOLINK_API_URL and EVOLINK_FILES_URL at fake.url, run the bot, then look at
        # fake.generation_requests(), fake.tasks, fake.uploads, fake.violations ...

Run it alone with `python -m tests.fakes.evolink --port 8082 --key KEY`.
"""

from .faults import RandomFaults, TaskOutcome
from .files import FakeUpload
from .inputs import InputImage
from .recording import Recorded, UploadedPart
from .server import FakeEvolink
from .tasks import FakeTask
from .validation import InvalidRequest, model_specs, reference_dir, validate_generation

__all__ = [
    "FakeEvolink",
    "FakeTask",
    "FakeUpload",
    "InputImage",
    "InvalidRequest",
    "RandomFaults",
    "Recorded",
    "TaskOutcome",
    "UploadedPart",
    "model_specs",
    "reference_dir",
    "validate_generation",
]
