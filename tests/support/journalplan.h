#pragma once

#include "release/releaseplan.h"

// Tests of views and journals make plans by hand; a journal reads back only plans that keep the
// rules of a new one (ReleasePlan::check). This fills what such a test leaves out with values a
// planner could have made: a deploy root, a commit and a package with its checksum.
inline rd::ReleasePlan journalPlan(rd::ReleasePlan plan)
{
    if (plan.deployRoot.isEmpty())
        plan.deployRoot = QStringLiteral("/srv/") + plan.project;
    if (plan.commit.isEmpty())
        plan.commit = QStringLiteral("0123456789abcdef0123456789abcdef01234567");
    if (plan.packagePath.isEmpty() && plan.kind != rd::ReleaseKind::Rollback) {
        plan.packagePath = QStringLiteral("/var/lib/releasedesk/packages/%1/0123456789ab.tar.gz").arg(plan.project);
        plan.packageSha256 = QString(64, u'a');
    }
    return plan;
}
