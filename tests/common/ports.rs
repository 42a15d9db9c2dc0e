//! A loopback port reserved for "the server is down": the socket is bound but never listens, so a
//! connection to it is refused, and the kernel cannot hand the port to another test running in
//! parallel (a port found free and then released can be, and was, given to another test's server).
//! The server that comes back later binds the same port with `SO_REUSEPORT` while the reservation
//! is still held, so there is no moment when the port is free.

#![allow(dead_code)]

use std::net::{Ipv4Addr, SocketAddrV4, TcpListener};

use socket2::{Domain, Socket, Type};

/// A bound, never-listening socket on 127.0.0.1.
pub struct ClosedPort {
    socket: Socket,
    /// The reserved port.
    pub port: u16,
}

fn reusable_socket() -> Socket {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
    socket.set_reuse_port(true).expect("SO_REUSEPORT");
    socket
}

impl ClosedPort {
    /// Reserves a port nobody listens on.
    pub fn reserve() -> ClosedPort {
        let socket = reusable_socket();
        let addr = SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0);
        socket.bind(&addr.into()).expect("bind reserved port");
        let port = socket
            .local_addr()
            .expect("local addr")
            .as_socket()
            .expect("inet address")
            .port();
        ClosedPort { socket, port }
    }

    /// A listener on the reserved port (the reservation stays held, and still refuses nothing:
    /// connections go to the only socket that listens).
    pub fn listen(&self) -> TcpListener {
        let socket = reusable_socket();
        let addr = SocketAddrV4::new(Ipv4Addr::LOCALHOST, self.port);
        socket
            .bind(&addr.into())
            .expect("bind the reserved port again");
        socket.listen(128).expect("listen");
        socket.into()
    }
}
