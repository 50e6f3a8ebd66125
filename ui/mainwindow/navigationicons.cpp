#include "navigationicons.h"

#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace rd {

namespace {

QColor colorOf(NavigationIcons::Glyph glyph)
{
    switch (glyph) {
    case NavigationIcons::Glyph::Key:
        return QColor(0xE0, 0x8E, 0x0B);
    case NavigationIcons::Glyph::Server:
        return QColor(0x25, 0x63, 0xEB);
    case NavigationIcons::Glyph::Project:
        return QColor(0x7C, 0x3A, 0xED);
    case NavigationIcons::Glyph::Environment:
        return QColor(0x05, 0x96, 0x69);
    case NavigationIcons::Glyph::Hook:
        return QColor(0xDB, 0x27, 0x77);
    case NavigationIcons::Glyph::Release:
        return QColor(0x16, 0xA3, 0x4A);
    case NavigationIcons::Glyph::History:
        return QColor(0x47, 0x55, 0x69);
    case NavigationIcons::Glyph::Fleet:
        return QColor(0x08, 0x91, 0xB2);
    }
    return Qt::gray;
}

// Draws the glyph in white on a 32x32 grid.
void drawGlyph(QPainter &p, NavigationIcons::Glyph glyph)
{
    QPen pen(Qt::white, 2.4, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    p.setPen(pen);
    p.setBrush(Qt::NoBrush);
    switch (glyph) {
    case NavigationIcons::Glyph::Key:
        p.drawEllipse(QPointF(11, 16), 4.5, 4.5);
        p.drawLine(QPointF(15.5, 16), QPointF(25, 16));
        p.drawLine(QPointF(22, 16), QPointF(22, 20));
        p.drawLine(QPointF(25, 16), QPointF(25, 19));
        break;
    case NavigationIcons::Glyph::Server:
        for (int y : {8, 17}) {
            p.drawRoundedRect(QRectF(8, y, 16, 7), 1.5, 1.5);
            p.drawPoint(QPointF(12, y + 3.5));
        }
        break;
    case NavigationIcons::Glyph::Project: {
        QPainterPath folder;
        folder.moveTo(7, 10);
        folder.lineTo(13, 10);
        folder.lineTo(15, 12.5);
        folder.lineTo(25, 12.5);
        folder.lineTo(25, 23);
        folder.lineTo(7, 23);
        folder.closeSubpath();
        p.drawPath(folder);
        break;
    }
    case NavigationIcons::Glyph::Environment: {
        for (int i = 0; i < 3; ++i) {
            QPainterPath layer;
            const qreal y = 10 + i * 5;
            layer.moveTo(7, y);
            layer.lineTo(16, y - 3.5);
            layer.lineTo(25, y);
            layer.lineTo(16, y + 3.5);
            layer.closeSubpath();
            p.drawPath(layer);
        }
        break;
    }
    case NavigationIcons::Glyph::Hook:
        p.drawPolyline(QPolygonF({QPointF(8, 11), QPointF(13, 16), QPointF(8, 21)}));
        p.drawLine(QPointF(15, 22), QPointF(24, 22));
        break;
    case NavigationIcons::Glyph::Release:
        // An arrow leaving a tray: code going out.
        p.drawLine(QPointF(16, 20), QPointF(16, 7.5));
        p.drawPolyline(QPolygonF({QPointF(11, 12.5), QPointF(16, 7.5), QPointF(21, 12.5)}));
        p.drawPolyline(QPolygonF({QPointF(8, 18), QPointF(8, 24), QPointF(24, 24), QPointF(24, 18)}));
        break;
    case NavigationIcons::Glyph::History:
        p.drawEllipse(QPointF(16, 16), 8.5, 8.5);
        p.drawPolyline(QPolygonF({QPointF(16, 10.5), QPointF(16, 16), QPointF(20, 18.5)}));
        break;
    case NavigationIcons::Glyph::Fleet:
        for (int row = 0; row < 3; ++row)
            for (int column = 0; column < 3; ++column)
                p.drawRect(QRectF(8.5 + column * 5.5, 8.5 + row * 5.5, 3.5, 3.5));
        break;
    }
}

} // namespace

QIcon NavigationIcons::icon(Glyph glyph)
{
    QIcon icon;
    for (int size : {16, 24, 32, 48, 64}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        p.scale(size / 32.0, size / 32.0);
        p.setPen(Qt::NoPen);
        p.setBrush(colorOf(glyph));
        p.drawRoundedRect(QRectF(1, 1, 30, 30), 7, 7);
        drawGlyph(p, glyph);
        p.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

} // namespace rd
