#pragma once

#include <QString>
#include <QStringList>

namespace rd {

struct Project
{
    qint64 id = 0;
    QString name;
    QString gitUrl;
    QString defaultBranch = QStringLiteral("main");
    int keepReleases = 5;
    QStringList packageExcludes;
};

} // namespace rd
