#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace rd {

struct Environment
{
    qint64 id = 0;
    qint64 projectId = 0;
    QString name;
    QString deployRoot;
    QList<qint64> serverIds; // in release order
    QStringList sharedPaths; // relative to <root>/shared
    int parallelism = 10;
    QString strategy = QStringLiteral("full");
};

} // namespace rd
