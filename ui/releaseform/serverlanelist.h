#pragma once

#include <QListWidget>

namespace rd {

// One lane of servers in the release form (the servers, or the canary lane). A server dragged from
// the partner lane moves here: it is added here and taken out there, so no server is in both.
class ServerLaneList : public QListWidget
{
    Q_OBJECT

public:
    explicit ServerLaneList(const QString &objectName, QWidget *parent = nullptr);

    void setPartner(ServerLaneList *partner) { m_partner = partner; }
    QStringList names() const;
    void removeNames(const QStringList &names);

signals:
    void serversMoved();

protected:
    void dropEvent(QDropEvent *event) override;

private:
    ServerLaneList *m_partner = nullptr;
};

} // namespace rd
