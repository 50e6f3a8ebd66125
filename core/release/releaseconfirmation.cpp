#include "releaseconfirmation.h"

#include <QRegularExpression>

namespace rd {

bool ReleaseConfirmation::isProductionLike(const QString &environment)
{
    static const QRegularExpression productionLike(QStringLiteral("^(prod|production|prd|live)([-_].*)?$"),
                                                   QRegularExpression::CaseInsensitiveOption);
    return productionLike.match(environment).hasMatch();
}

std::optional<ReleaseConfirmation::Question> ReleaseConfirmation::questionFor(const ReleaseRequest &request,
                                                                             qsizetype serverCount)
{
    if (!isProductionLike(request.environment))
        return std::nullopt;
    // Named in full, so a wrong choice of environment or release is seen before it happens.
    const QString where = QStringLiteral("%1/%2").arg(request.project, request.environment);
    const QString servers = serverCount < 0 ? tr("every server of %1").arg(where)
                                            : tr("the %n server(s) of %1", nullptr, int(serverCount)).arg(where);
    if (request.kind == ReleaseKind::Rollback)
        return Question{tr("Roll back %1?").arg(where),
                        tr("This switches %1, a production environment, back to %2.").arg(servers, request.rollbackTo)};
    const QString what = request.refName.isEmpty() ? request.ref : request.refName + u' ' + request.ref.left(8);
    return Question{tr("Release to %1?").arg(where),
                    tr("This releases %1 to %2, a production environment.").arg(what, servers)};
}

} // namespace rd
