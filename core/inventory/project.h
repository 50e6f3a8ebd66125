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
    // http:// and git:// fetch the code to deploy without authenticating the server: anyone on the
    // path can change what is deployed. Such a URL needs this explicit consent.
    bool allowUnauthenticated = false;
};

} // namespace rd
