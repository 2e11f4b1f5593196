"""Import every domain's tables so ``Base.metadata`` is complete (Alembic, test set-up).

Tables live beside their domain code (``<package>/models.py``, as design.md's per-package shape says);
this module is the one list of them.
"""

from xinyong import calendar as _calendar  # noqa: F401
from xinyong.auth import models as _auth  # noqa: F401
from xinyong.campaigns import models as _campaigns  # noqa: F401
from xinyong.db.base import Base
from xinyong.evaluation import models as _evaluation  # noqa: F401
from xinyong.government import models as _government  # noqa: F401
from xinyong.incentives import models as _incentives  # noqa: F401
from xinyong.intake import models as _intake  # noqa: F401
from xinyong.lending import models as _lending  # noqa: F401
from xinyong.lists import models as _lists  # noqa: F401
from xinyong.monitoring import models as _monitoring  # noqa: F401
from xinyong.portal import models as _portal  # noqa: F401
from xinyong.privacy import models as _privacy  # noqa: F401
from xinyong.quality import models as _quality  # noqa: F401
from xinyong.records import models as _records  # noqa: F401
from xinyong.reports import models as _reports  # noqa: F401
from xinyong.subjects import models as _subjects  # noqa: F401
from xinyong.supervision import models as _supervision  # noqa: F401
from xinyong.workplan import models as _workplan  # noqa: F401

metadata = Base.metadata
