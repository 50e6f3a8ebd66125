#pragma once

#include <QString>
#include <QStringList>

namespace rd {

struct Server
{
    qint64 id = 0;
    QString name; // display name, unique
    QString host;
    int port = 22;
    qint64 keyId = 0;  // 0: no key assigned yet
    QString username;  // empty: the key's username
    QString department;
    QString owner;
    QStringList tags;
    QString notes;
    bool enabled = true;
};

} // namespace rd
