#pragma once

#include "releaseplanner.h"

#include <QCoreApplication>
#include <QString>

#include <optional>

namespace rd {

// The one rule for what needs a second "yes" before it starts: anything that changes a
// production-like environment (prod, production, prd or live, with or without a -suffix), a
// rollback included. The release form, the history, the task window and the CLI on a terminal all
// ask with the question it gives; scripts pass --yes or run without a terminal.
class ReleaseConfirmation
{
    Q_DECLARE_TR_FUNCTIONS(ReleaseConfirmation)

public:
    struct Question
    {
        QString title;
        QString text;
    };

    static bool isProductionLike(const QString &environment);
    // `serverCount` is how many servers it changes; -1 when not known yet (every server).
    static std::optional<Question> questionFor(const ReleaseRequest &request, qsizetype serverCount = -1);
};

} // namespace rd
